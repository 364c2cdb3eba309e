"""The public shapes of an import: the report an upload answers with."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RowErrorPublic(BaseModel):
    row: int = Field(description="Spreadsheet row number; the header is row 1.")
    column: str = Field(description="The column as named in the file.")
    message: str = Field(description="What is wrong and what to fix.")


class ImportReportPublic(BaseModel):
    rows: int = Field(description="Data rows in the file.")
    created: int
    updated: int
    unchanged: int
    failed: int = Field(description="Rows not imported because of the errors listed.")
    error_count: int = Field(description="Every error found in the file.")
    errors: list[RowErrorPublic] = Field(
        description="The errors by row: the first 1,000 (a setting) of `error_count`."
    )


class UnlocatedRowPublic(BaseModel):
    row: int = Field(description="The borrower's first row in the file.")
    name: str
    address: str
    reason: str = Field(description="Why no location was found (the geocoder's answer).")


class LoanImportReportPublic(ImportReportPublic):
    """A loan import's report: also where each borrower's location came from."""

    located_from_file: int = Field(description="Borrowers with coordinates in the file.")
    geocoded: int = Field(description="Borrowers located by the geocoder (or its cache).")
    already_located: int = Field(
        description="Borrowers without coordinates in the file, already located before."
    )
    unlocated: int = Field(description="Borrowers left without a location.")
    unlocated_rows: list[UnlocatedRowPublic] = Field(
        description="The unlocated borrowers: the first 1,000 (a setting)."
    )
