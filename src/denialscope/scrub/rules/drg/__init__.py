"""[drg] MS-DRG grouping compared with the submitted DRG."""
