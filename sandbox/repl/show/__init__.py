"""``show layers|ns|cgroups|net [NAME]``: the TUI's pictures as text, drawn from the same
engine data. ``fetch`` reads the data through the client; each other module draws one
picture from it and knows nothing of where it came from."""
