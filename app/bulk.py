"""Set-based inserts: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import io
import pandas as pd
from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_frame(session: Session, table: Table, frame: pd.DataFrame, *, chunk_rows: int = 200_000) -> int:
    """Append every row of ``frame`` (columns named like the table's) in the session's transaction."""
    if frame.empty:
        return 0
    conn = session.connection()
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        column_list = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor:
            for start in range(0, len(frame), chunk_rows):
                buffer = io.StringIO()
                frame.iloc[start : start + chunk_rows].to_csv(buffer, index=False, header=False, na_rep="\\N")
                buffer.seek(0)
                with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')') as copy:
                    while data := buffer.read(1 << 20):
                        copy.write(data)
        return len(frame)
    statement = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
    cursor = conn.connection.driver_connection.cursor()
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start : start + chunk_rows].astype(object)
        cursor.executemany(statement, part.where(part.notna(), None).itertuples(index=False, name=None))
    cursor.close()
    return len(frame)
