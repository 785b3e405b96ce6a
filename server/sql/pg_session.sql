-- Run on each PostgreSQL client's own DuckDB connection: temporary macros that
-- fill gaps in DuckDB's pg_catalog so psql (\dt, \d, \l, \dn) and JDBC/ODBC
-- BI tools can list tables and columns. Client catalog SQL is rewritten
-- (pgcatalog.go): pg_catalog. qualifiers are dropped, so the scalar macros
-- shadow the built-ins, and relations named here are read from the table
-- macros attrib_<relation>() instead. Macros, unlike views, do not show up in
-- SHOW TABLES or information_schema.
CREATE TEMP MACRO pg_get_userbyid(x) AS 'attrib';
CREATE TEMP MACRO pg_encoding_to_char(x) AS 'UTF8';
CREATE TEMP MACRO pg_get_partkeydef(x) AS NULL::VARCHAR;
CREATE TEMP MACRO pg_get_indexdef(x, y := 0, z := false) AS NULL::VARCHAR;
CREATE TEMP MACRO pg_get_statisticsobjdef_columns(x) AS NULL::VARCHAR;
CREATE TEMP MACRO pg_get_triggerdef(x, y) AS NULL::VARCHAR;
CREATE TEMP MACRO pg_get_ruledef(x, y) AS NULL::VARCHAR;
CREATE TEMP MACRO pg_relation_is_publishable(x) AS false;
CREATE TEMP MACRO pg_backend_pid() AS 0;
CREATE TEMP MACRO version() AS 'PostgreSQL 16.0 (attrib on DuckDB ' || (SELECT library_version FROM pragma_version()) || ')';
CREATE TEMP MACRO txid_current() AS 0;
CREATE TEMP MACRO attrib_pg_class() AS TABLE SELECT *, false AS relforcerowsecurity FROM pg_catalog.pg_class;
CREATE TEMP MACRO attrib_pg_database() AS TABLE
SELECT oid, datname, datallowconn, datistemplate, 10 AS datdba, 6 AS encoding, 'C' AS datcollate,
       'C' AS datctype, NULL::VARCHAR AS daticulocale, 'c' AS datlocprovider, NULL::VARCHAR[] AS datacl,
       -1 AS datconnlimit, 0 AS dattablespace
FROM pg_catalog.pg_database
WHERE datname NOT IN ('system', 'temp');
CREATE TEMP MACRO attrib_pg_roles() AS TABLE
SELECT 10 AS oid, 'attrib' AS rolname, false AS rolsuper, false AS rolinherit, false AS rolcreaterole,
       false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit,
       NULL::TIMESTAMPTZ AS rolvaliduntil, false AS rolbypassrls, NULL::VARCHAR[] AS rolconfig;
CREATE TEMP MACRO attrib_pg_user() AS TABLE SELECT rolname AS usename, oid AS usesysid, false AS usesuper FROM attrib_pg_roles();
CREATE TEMP MACRO attrib_pg_inherits() AS TABLE SELECT 0::BIGINT AS inhrelid, 0::BIGINT AS inhparent, 0 AS inhseqno, false AS inhdetachpending WHERE false;
CREATE TEMP MACRO attrib_pg_policy() AS TABLE SELECT 0::BIGINT AS oid, ''::VARCHAR AS polname, 0::BIGINT AS polrelid, ''::VARCHAR AS polcmd, true AS polpermissive, NULL::BIGINT[] AS polroles, NULL::VARCHAR AS polqual, NULL::VARCHAR AS polwithcheck WHERE false;
CREATE TEMP MACRO attrib_pg_statistic_ext() AS TABLE SELECT 0::BIGINT AS oid, 0::BIGINT AS stxrelid, ''::VARCHAR AS stxname, 0::BIGINT AS stxnamespace, NULL::VARCHAR[] AS stxkind, 0 AS stxstattarget WHERE false;
CREATE TEMP MACRO attrib_pg_publication() AS TABLE SELECT 0::BIGINT AS oid, ''::VARCHAR AS pubname, true AS puballtables WHERE false;
CREATE TEMP MACRO attrib_pg_publication_rel() AS TABLE SELECT 0::BIGINT AS prpubid, 0::BIGINT AS prrelid, NULL::VARCHAR AS prqual, NULL::SMALLINT[] AS prattrs WHERE false;
CREATE TEMP MACRO attrib_pg_publication_namespace() AS TABLE SELECT 0::BIGINT AS pnpubid, 0::BIGINT AS pnnspid WHERE false;
CREATE TEMP MACRO attrib_pg_trigger() AS TABLE SELECT 0::BIGINT AS oid, 0::BIGINT AS tgrelid, ''::VARCHAR AS tgname, false AS tgisinternal, ''::VARCHAR AS tgenabled, 0::BIGINT AS tgparentid WHERE false;
CREATE TEMP MACRO attrib_pg_rewrite() AS TABLE SELECT 0::BIGINT AS oid, ''::VARCHAR AS rulename, 0::BIGINT AS ev_class WHERE false;
CREATE TEMP MACRO attrib_pg_partitioned_table() AS TABLE SELECT 0::BIGINT AS partrelid WHERE false;
CREATE TEMP MACRO attrib_pg_foreign_table() AS TABLE SELECT 0::BIGINT AS ftrelid, 0::BIGINT AS ftserver WHERE false;
CREATE TEMP MACRO attrib_pg_extension() AS TABLE SELECT 0::BIGINT AS oid, 'plpgsql' AS extname, 10 AS extowner, 0 AS extnamespace, '1.0' AS extversion WHERE false;
CREATE TEMP MACRO attrib_pg_matviews() AS TABLE SELECT ''::VARCHAR AS schemaname, ''::VARCHAR AS matviewname WHERE false;
CREATE TEMP MACRO pg_get_expr(a, b, pretty := false) AS NULL::VARCHAR;
CREATE TEMP MACRO array_upper(a, d) AS len(a);
-- DuckDB's pg_attribute gives DuckDB's own type ids; clients join them to pg_type's PostgreSQL OIDs.
CREATE TEMP MACRO attrib_pg_attribute() AS TABLE
SELECT a.* REPLACE (
           coalesce((SELECT max(map_to_pg_oid(t.type_name)) FROM duckdb_types() t WHERE t.type_oid = a.atttypid), 25) AS atttypid,
           CASE WHEN a.atttypmod > 0 THEN (((a.atttypmod // 1000) << 16) | (a.atttypmod % 1000)) + 4 ELSE -1 END AS atttypmod)
FROM pg_catalog.pg_attribute a;
CREATE TEMP MACRO format_type(t, m) AS
    coalesce((SELECT min(typname) FROM pg_catalog.pg_type WHERE oid = t), 'text')
    || CASE WHEN m > 4 THEN '(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' ELSE '' END;
