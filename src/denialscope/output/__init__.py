"""Everything that leaves denialscope for a person or a spreadsheet: values, tables, files."""
