"""Test support shared by every test folder, importable as ``factories`` (pytest's ``pythonpath``).

Each module builds one kind of thing; every person, NPI, payer and code combination is invented.

    fixtures     the shared pytest fixtures (registered by tests/conftest.py): data_dir,
                 defaults, db, files, samples_dir, refdata_dir, demo_database
    shared       the one place naming files outside the repository (../shared samples, refdata)
    demo_db      the demo ingested into SQLite once per session (read-only; copy to write)
    database     Db (ingest, count tables, query) and Files (write inputs into a folder)
    rows         database rows: source file, remittance, payer, provider, department; the
                 work item of a claim
    denied       denied claims with lines, diagnoses and a denying 835 payment; later payments
    classified   stored vs rebuilt classification results of payments
    x12text      X12 text: 837P, 835, 277CA and 999 interchanges from small dataclasses
    claim837     837 Claim records (parsed form) from the YAML specs of the scrub rule cases
    demo_text    a plain reading of the demo's X12 files, independent of denialscope's readers
    tiny         the hand-built KPI data set (eight claims) of the analytics tests
    governance   the hand-built two-quarter data set of the governance tests
    mutations    deterministic damage to X12 bytes for the fuzz tests
    zips         a large zip of zeros, written quickly
    ncci         the heading lines of the CMS NCCI PTP and MUE tables, for synthetic tables
"""
