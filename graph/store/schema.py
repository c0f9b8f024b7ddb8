"""The tables of a paperweb database (a public interface: see the README's table list)."""

from __future__ import annotations

__all__ = [
    "GRAPH_TABLES",
    "MARK_TABLE",
    "SCHEMA",
    "SCHEMA_UPGRADE",
    "SCHEMA_VERSION",
    "SQL_COLUMNS",
    "SQL_MARK",
    "SQL_MARK_GET",
    "SQL_RELATIONS",
    "SQL_SCHEMA_COLUMNS",
    "SQL_TABLES",
]

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    paper_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    abstract VARCHAR,
    authors INTEGER,
    published DATE,
    published_text VARCHAR,
    upvotes INTEGER,
    arxiv_id VARCHAR,
    cited_by_count INTEGER,
    doi VARCHAR,
    categories VARCHAR[]
);
-- databases written before these columns existed gain them
ALTER TABLE papers ADD COLUMN IF NOT EXISTS doi VARCHAR;
ALTER TABLE papers ADD COLUMN IF NOT EXISTS categories VARCHAR[];
CREATE TABLE IF NOT EXISTS paper_sources (
    paper_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
    paper_id VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    origin VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS keywords (
    paper_id VARCHAR NOT NULL,
    keyword VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    origin VARCHAR NOT NULL DEFAULT 'text'
);
CREATE TABLE IF NOT EXISTS nodes (
    node_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    url VARCHAR
);
CREATE TABLE IF NOT EXISTS edges (
    src VARCHAR NOT NULL,
    dst VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    evidence VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
    node_id VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    value DOUBLE
);
CREATE TABLE IF NOT EXISTS communities (
    community INTEGER PRIMARY KEY,
    label VARCHAR NOT NULL,
    size INTEGER NOT NULL,
    keywords VARCHAR[],
    coverage INTEGER,
    internal_weight DOUBLE,
    external_weight DOUBLE,
    is_other BOOLEAN,
    keyword_papers INTEGER[]
);
-- answers of web services (build --online); not a graph table, so rebuilds keep it
CREATE TABLE IF NOT EXISTS http_cache (
    key VARCHAR PRIMARY KEY,
    status INTEGER NOT NULL,
    headers VARCHAR NOT NULL,
    body BLOB NOT NULL,
    fetched_at DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS repos (
    target VARCHAR PRIMARY KEY,
    full_name VARCHAR,
    html_url VARCHAR,
    description VARCHAR,
    homepage VARCHAR,
    stars INTEGER,
    forks INTEGER,
    topics VARCHAR[],
    language VARCHAR,
    license VARCHAR,
    archived BOOLEAN,
    fork BOOLEAN,
    pushed_at TIMESTAMP,
    status VARCHAR NOT NULL
);
-- positions of the nodes the default page draws (graph/layout.py), read by the viewer and report
CREATE TABLE IF NOT EXISTS layout (
    node_id VARCHAR PRIMARY KEY,
    x DOUBLE NOT NULL,
    y DOUBLE NOT NULL
);
-- every reference of every corpus paper (graph/citations.py); cited_paper when it is one of them
CREATE TABLE IF NOT EXISTS "references" (
    paper_id VARCHAR NOT NULL,
    work_key VARCHAR NOT NULL,
    title VARCHAR,
    year INTEGER,
    source VARCHAR NOT NULL,
    cited_paper VARCHAR
);
-- referenced works outside the corpus, with the number of corpus papers citing each
CREATE TABLE IF NOT EXISTS works (
    work_key VARCHAR PRIMARY KEY,
    openalex_id VARCHAR,
    s2_id VARCHAR,
    doi VARCHAR,
    arxiv_id VARCHAR,
    title VARCHAR,
    year INTEGER,
    cited_by INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS build_info (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
-- says the file is paperweb's, so a rebuild never writes over another program's tables
CREATE TABLE IF NOT EXISTS paperweb_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
"""

#: the table whose ``schema_version`` row marks a file as paperweb's
MARK_TABLE = "paperweb_meta"
SQL_MARK = "INSERT OR REPLACE INTO paperweb_meta VALUES ('schema_version', ?)"
SQL_MARK_GET = "SELECT value FROM paperweb_meta WHERE key = 'schema_version'"

# Columns added since the first schema, so that a database an older paperweb wrote
# takes a rebuild.
SCHEMA_UPGRADE = """
ALTER TABLE communities ADD COLUMN IF NOT EXISTS coverage INTEGER;
ALTER TABLE communities ADD COLUMN IF NOT EXISTS internal_weight DOUBLE;
ALTER TABLE communities ADD COLUMN IF NOT EXISTS external_weight DOUBLE;
ALTER TABLE communities ADD COLUMN IF NOT EXISTS is_other BOOLEAN;
ALTER TABLE communities ADD COLUMN IF NOT EXISTS keyword_papers INTEGER[];
"""

#: Tables a build replaces as a whole; anything else (caches) survives rebuilds.
GRAPH_TABLES = (
    "papers",
    "paper_sources",
    "links",
    "keywords",
    "nodes",
    "edges",
    "metrics",
    "communities",
    "layout",
    "build_info",
    "repos",
    "references",
    "works",
)

SQL_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
SQL_RELATIONS = (
    "SELECT table_name, table_type FROM information_schema.tables "
    "WHERE table_schema = 'main' AND table_catalog = current_database()"
)
SQL_SCHEMA_COLUMNS = (
    "SELECT table_name, column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = 'main' AND table_catalog = current_database()"
)
SQL_COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
