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
