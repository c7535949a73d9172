"""[mce] Medicare Code Editor edits on inpatient claims."""
