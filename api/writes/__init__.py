"""What every domain's writes from the phone share: the context of one mutation (who, which
device, which batch), the rows a batch looks up in advance, and the refuse-or-flag rules.

Domains (visits, agreements, safety) import this; `api.sync` runs the batch and calls them."""
