"""Columnar output of the reader at scale: Parquet tables, and the Spark job that writes them.

- :mod:`denialscope.scale.schema` – the versioned table schema (``schema.yaml``).
- :mod:`denialscope.scale.rows` – one X12 file (or part of one) to table rows, through our
  own reader and classifier.
- :mod:`denialscope.scale.parquet` – rows to Parquet, partitioned by file date.
- :mod:`denialscope.scale.manifest` – content identities of files already written.
- :mod:`denialscope.scale.export` – ``denialscope export parquet`` (files or database).
- :mod:`denialscope.scale.spark_job` – ``denialscope spark ingest`` and ``spark-submit``.

pyarrow and pyspark are imported inside functions: ``import denialscope.scale`` stays light.
"""

from __future__ import annotations
