"""Reference for `demo load`: a plain executemany of the same rows into the same schema, as a
process.

    python benchmarks/ref_executemany.py ROWS.pickle DB

ROWS.pickle holds the schema (every CREATE of a migrated database), the rows `demo load` wrote,
table by table, and its page size. One transaction, WAL and synchronous=NORMAL like the project's
own connection.
Plain SQL at its best: tables first, the rows by executemany, then the indexes and triggers from the
same schema and one FTS5 'rebuild' of the name index, so the file ends with the same schema and
rows.
(The same executemany into the live schema, indexes and FTS triggers firing per row, took 20-23 s at
100k here: that is not a floor, so it is not the reference.)
"""

import json
import pickle
import sqlite3
import sys
import time

t0 = time.perf_counter()
rows_file, db_file = sys.argv[1], sys.argv[2]
with open(rows_file, "rb") as f:
    data = pickle.load(f)
t1 = time.perf_counter()
conn = sqlite3.connect(db_file, isolation_level=None)
conn.execute(f"PRAGMA page_size = {data.get('page_size', 4096)}")  # the file demo load writes
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = NORMAL")
conn.execute("BEGIN")
later = [
    sql
    for sql in data["schema"]
    if sql.upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX", "CREATE TRIGGER"))
]
for sql in data["schema"]:
    if sql not in later:
        conn.execute(sql)
for table, cols, rows in data["tables"]:
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
    )
for sql in later:
    conn.execute(sql)
conn.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")
conn.execute("COMMIT")
conn.close()
t2 = time.perf_counter()
print(json.dumps({"unpickle_s": t1 - t0, "insert_s": t2 - t1}))
