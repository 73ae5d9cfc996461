"""Reads analysis-svc tables the way other systems do: pyarrow Flight and ADBC Flight SQL.

Usage: flight_sql_client.py <grpc-url> <analysis-id>

  <grpc-url>     analysis-svc endpoint, http://host:port or grpc://host:port
  <analysis-id>  a stored analysis

Prints one "key: value" line per check. Exits 0 on success, 1 on a failed check. When pyarrow or
adbc_driver_flightsql is not importable it prints "skipped: ..." and exits 0, unless the environment
variable CI is set (then it exits 1). Install the clients with
`pip install -r analysis-svc/tests/python/requirements.txt`.
"""

import os
import sys


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    url, analysis_id = argv[1], argv[2]
    try:
        import adbc_driver_flightsql.dbapi as flight_sql
        import adbc_driver_manager
        import pyarrow.flight as flight
    except ImportError as e:
        if os.environ.get("CI"):
            print(f"adbc_driver_flightsql/pyarrow not installed: {e}", file=sys.stderr)
            return 1
        print("skipped: adbc_driver_flightsql/pyarrow not installed")
        return 0

    grpc_url = "grpc://" + url.split("://", 1)[-1]

    # Plain Flight: the membership table by ticket.
    client = flight.connect(grpc_url)
    ticket = flight.Ticket(f"membership/{analysis_id}".encode())
    membership = client.do_get(ticket).read_all()
    expected = ["user_id", "city", "segment", "sub_segment", "churn"]
    if membership.column_names != expected:
        print(f"membership columns {membership.column_names}, expected {expected}", file=sys.stderr)
        return 1
    print(f"membership rows: {membership.num_rows}")
    churned = membership.column("churn").to_pylist().count(True)
    print(f"membership churned: {churned}")

    # Flight SQL through ADBC.
    with flight_sql.connect(grpc_url, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) AS n FROM customers WHERE churn AND city = 'Рыбинск'"
            )
            (n,) = cur.fetchone()
            print(f"churned in Рыбинск: {n}")

            cur.execute(
                f"SELECT segment, count(*) AS n FROM a_{analysis_id}.membership "
                "WHERE churn GROUP BY segment ORDER BY segment"
            )
            table = cur.fetch_arrow_table()
            by_segment = dict(zip(table.column("segment").to_pylist(), table.column("n").to_pylist()))
            print(f"churned by segment: {sum(by_segment.values())} in {len(by_segment)} segments")

            try:
                cur.execute("INSERT INTO membership VALUES (1, 'Ростов', 'products_1', NULL, true)")
                cur.fetchall()
            except adbc_driver_manager.Error as e:
                if "read-only" not in str(e):
                    print(f"write refused for the wrong reason: {e}", file=sys.stderr)
                    return 1
                print(f"write refused: {type(e).__name__}")
            else:
                print("a write statement was accepted", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
