-- Drops the per-file temp tables (raw values never outlive the file's load).
DROP TABLE IF EXISTS filecheck;
DROP TABLE IF EXISTS smallfile;
DROP TABLE IF EXISTS jsonkeys;
DROP TABLE IF EXISTS typedrej;
DROP TABLE IF EXISTS keyrej;
DROP TABLE IF EXISTS rawrej;
DROP TABLE IF EXISTS ndjrej;
DROP TABLE IF EXISTS ndjlines;
DROP TABLE IF EXISTS ndjfound;
DROP TABLE IF EXISTS csvrej;
DROP TABLE IF EXISTS allrej;
DROP TABLE IF EXISTS csvmap;
DROP TABLE IF EXISTS attrib_csv_rejects;
DROP TABLE IF EXISTS attrib_csv_scans;
DROP TABLE IF EXISTS ingest_params
