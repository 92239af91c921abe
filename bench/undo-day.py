#!/usr/bin/env python3
"""Undoes one day's cycle on a kept SQLite bench book, so that the same day can be run again by another build.

Usage: bench/undo-day.py DB save          before the first run of the day: notes the highest ids of the tables the day adds to
       bench/undo-day.py DB undo DAY      deletes what the run of DAY wrote (snapshots, segment changes, alerts opened,
                                          steps done, outbox, tasks, audit entries, renewal reviews above the noted ids)
                                          and reopens the alerts and tasks it closed
The ids are noted in DB.undo.json beside the database. Only for bench books: a day that recorded payments, promises or
plans is not undone by this.
"""
import json
import sqlite3
import sys

if len(sys.argv) < 3 or sys.argv[2] not in ('save', 'undo') or (sys.argv[2] == 'undo' and len(sys.argv) < 4):
    sys.exit(__doc__)
db, verb = sys.argv[1], sys.argv[2]
tables = ['outbox_messages', 'audit_entries', 'work_tasks', 'alerts', 'renewal_reviews', 'segment_assignments']
c = sqlite3.connect(db, timeout=60)
if verb == 'save':
    json.dump({t: c.execute(f'SELECT COALESCE(MAX(id), 0) FROM {t}').fetchone()[0] for t in tables}, open(db + '.undo.json', 'w'))
else:
    day = sys.argv[3]
    saved = json.load(open(db + '.undo.json'))
    for t in tables:
        c.execute(f'DELETE FROM {t} WHERE id > ?', (saved[t],))
    c.execute('DELETE FROM health_snapshots WHERE as_of = ?', (day,))
    c.execute('UPDATE alerts SET closed_on = NULL WHERE closed_on = ?', (day,))
    c.execute('DELETE FROM collection_steps_done WHERE acted_on = ?', (day,))
    c.execute("UPDATE work_tasks SET state = 'Open', done_on = NULL WHERE done_on = ?", (day,))
    c.commit()
    c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
