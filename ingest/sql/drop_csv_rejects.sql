-- Clears the CSV reader's reject tables before a file is read, so they hold that file's records only.
DROP TABLE IF EXISTS attrib_csv_rejects;
DROP TABLE IF EXISTS attrib_csv_scans
