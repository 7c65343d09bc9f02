"""Run the same enrichers and insights on a distributed engine (Apache Spark) over Parquet."""
