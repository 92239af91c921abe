#!/usr/bin/env python3
"""Undoes one day's cycle on a kept bench book, so that the same day can be run again by another build.

Usage: bench/undo-day.py DB save          before the first run of the day: notes the highest ids of the tables the day adds to
       bench/undo-day.py DB undo DAY      deletes what the run of DAY wrote (snapshots, segment changes, alerts opened,
                                          steps done, outbox, tasks, audit entries, renewal reviews above the noted ids)
                                          and reopens the alerts and tasks it closed
DB is a SQLite file, or a PostgreSQL connection URI (postgresql://user@host:port/db), read through psql. The ids are
noted in DB.undo.json beside a SQLite file, and in the working directory as DBNAME.undo.json for PostgreSQL. Only for
bench books: a day that recorded payments, promises or plans, or issued renewal invoices, is not undone by this.
"""
import datetime
import json
import sqlite3
import subprocess
import sys
from urllib.parse import urlparse

if len(sys.argv) < 3 or sys.argv[2] not in ('save', 'undo') or (sys.argv[2] == 'undo' and len(sys.argv) < 4):
    sys.exit(__doc__)
db, verb = sys.argv[1], sys.argv[2]
tables = ['outbox_messages', 'audit_entries', 'work_tasks', 'alerts', 'renewal_reviews', 'segment_assignments']
postgres = db.startswith('postgresql://')


def statements(day, saved):
    datetime.date.fromisoformat(day)
    for t in tables:
        yield f'DELETE FROM {t} WHERE id > {int(saved[t])}'
    yield f"DELETE FROM health_snapshots WHERE as_of = '{day}'"
    yield f"UPDATE alerts SET closed_on = NULL WHERE closed_on = '{day}'"
    yield f"DELETE FROM collection_steps_done WHERE acted_on = '{day}'"
    yield f"UPDATE work_tasks SET state = 'Open', done_on = NULL WHERE done_on = '{day}'"


if postgres:
    notes = urlparse(db).path.lstrip('/') + '.undo.json'

    def psql(sql):
        return subprocess.run(['psql', db, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], check=True, capture_output=True, text=True).stdout

    if verb == 'save':
        json.dump({t: int(psql(f'SELECT COALESCE(MAX(id), 0) FROM {t}')) for t in tables}, open(notes, 'w'))
    else:
        day, saved = sys.argv[3], json.load(open(notes))
        psql('BEGIN; ' + '; '.join(statements(day, saved)) + '; COMMIT')
        # The deleted rows' pages are left for vacuum to tidy, as after any day; a checkpoint writes them out before the next run.
        psql('VACUUM health_snapshots, alerts, collection_steps_done, work_tasks, outbox_messages, audit_entries, segment_assignments')
        psql('CHECKPOINT')
else:
    c = sqlite3.connect(db, timeout=60)
    if verb == 'save':
        json.dump({t: c.execute(f'SELECT COALESCE(MAX(id), 0) FROM {t}').fetchone()[0] for t in tables}, open(db + '.undo.json', 'w'))
    else:
        day = sys.argv[3]
        saved = json.load(open(db + '.undo.json'))
        for sql in statements(day, saved):
            c.execute(sql)
        c.commit()
        c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
