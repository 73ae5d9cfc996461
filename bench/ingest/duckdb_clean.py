#!/usr/bin/env python3
"""The ingest-svc cleaning, written for DuckDB, for the memory and throughput comparison.

    python3 bench/ingest/duckdb_clean.py FILE OUT_DIR [MEMORY_LIMIT]

Same rules as ingest-svc/sql/*.sql with the default options and the bank_scrooge mapping: every field
read as text, trimmed, typed with TRY_CAST, rows classified (first failing check), quarantine and clean
tables written as Parquet, exact duplicates removed, duplicate ids flagged, IQR fences (k = 1.5) from
exact quantiles, missing-balance breakdown. Prints the counts as JSON.
"""
import json
import sys
import time

import duckdb

src, out = sys.argv[1], sys.argv[2]
memory = sys.argv[3] if len(sys.argv) > 3 else "2GB"
started = time.time()
con = duckdb.connect()
con.execute(f"SET memory_limit = '{memory}'")
con.execute(f"SET temp_directory = '{out}/duckdb-spill'")
con.execute("SET preserve_insertion_order = false")

quoted = src.replace("'", "''")
con.execute(
    f"""
CREATE TEMP VIEW staging AS
SELECT row_number() OVER () + 1 AS source_line, *
FROM read_csv('{quoted}', header = true, all_varchar = true, delim = ',', quote = '"', null_padding = true)
"""
)
con.execute(
    """
CREATE TEMP TABLE classified AS
WITH t AS (
    SELECT source_line,
        concat_ws(',', USERID, score, city, gender, age, equity, balance, products, credit_card,
                  last_activity, EST_SALARY, churn) AS raw,
        NULLIF(trim(USERID), '') AS user_id_text, NULLIF(trim(score), '') AS score_text,
        NULLIF(trim(city), '') AS city_text, NULLIF(trim(gender), '') AS gender_text,
        NULLIF(trim(age), '') AS age_text, NULLIF(trim(equity), '') AS equity_text,
        NULLIF(trim(balance), '') AS balance_text, NULLIF(trim(products), '') AS products_text,
        NULLIF(trim(credit_card), '') AS credit_card_text,
        NULLIF(trim(last_activity), '') AS last_activity_text,
        NULLIF(trim(EST_SALARY), '') AS est_salary_text, NULLIF(trim(churn), '') AS churn_text
    FROM staging
), n AS (
    SELECT *,
        TRY_CAST(TRY_CAST(user_id_text AS DOUBLE) AS BIGINT) AS user_id,
        TRY_CAST(score_text AS DOUBLE) AS score,
        city_text AS city,
        CASE WHEN gender_text IN ('М', 'Ж') THEN gender_text END AS gender,
        TRY_CAST(age_text AS DOUBLE) AS age_num,
        TRY_CAST(equity_text AS DOUBLE) AS equity_num,
        TRY_CAST(balance_text AS DOUBLE) AS balance,
        TRY_CAST(products_text AS DOUBLE) AS products_num,
        CASE lower(credit_card_text) WHEN '1' THEN true WHEN '0' THEN false WHEN '1.0' THEN true WHEN '0.0' THEN false END AS credit_card,
        CASE lower(last_activity_text) WHEN '1' THEN true WHEN '0' THEN false WHEN '1.0' THEN true WHEN '0.0' THEN false END AS last_activity,
        TRY_CAST(est_salary_text AS DOUBLE) AS est_salary,
        CASE lower(churn_text) WHEN '1' THEN true WHEN '0' THEN false WHEN '1.0' THEN true WHEN '0.0' THEN false END AS churn
    FROM t
)
SELECT *,
    CASE WHEN age_num = trunc(age_num) THEN CAST(age_num AS SMALLINT) END AS age,
    CASE WHEN equity_num = trunc(equity_num) THEN CAST(equity_num AS SMALLINT) END AS equity,
    CASE WHEN products_num = trunc(products_num) AND products_num BETWEEN -32768 AND 32767 THEN CAST(products_num AS SMALLINT) END AS products,
    CASE
        WHEN user_id_text IS NULL THEN 'missing_user_id'
        WHEN user_id IS NULL THEN 'unparsable_user_id'
        WHEN score_text IS NULL THEN 'missing_score'
        WHEN score IS NULL THEN 'unparsable_score'
        WHEN score < 0 OR score > 1000 THEN 'score_out_of_range'
        WHEN city_text IS NULL THEN 'missing_city'
        WHEN gender_text IS NULL THEN 'missing_gender'
        WHEN gender IS NULL THEN 'invalid_gender'
        WHEN age_text IS NOT NULL AND (age_num IS NULL OR age_num <> trunc(age_num)) THEN 'unparsable_age'
        WHEN age_num < 18 OR age_num > 100 THEN 'age_out_of_range'
        WHEN equity_text IS NULL THEN 'missing_equity'
        WHEN equity_num IS NULL OR equity_num <> trunc(equity_num) THEN 'unparsable_equity'
        WHEN equity_num < 0 THEN 'negative_equity'
        WHEN balance_text IS NOT NULL AND balance IS NULL THEN 'unparsable_balance'
        WHEN balance < 0 THEN 'negative_balance'
        WHEN products_text IS NULL THEN 'missing_products'
        WHEN products_num IS NULL THEN 'unparsable_products'
        WHEN products_num < 1 OR products_num > 5 THEN 'products_out_of_range'
        WHEN credit_card_text IS NULL THEN 'missing_credit_card'
        WHEN credit_card IS NULL THEN 'invalid_flag_credit_card'
        WHEN last_activity_text IS NULL THEN 'missing_last_activity'
        WHEN last_activity IS NULL THEN 'invalid_flag_last_activity'
        WHEN est_salary_text IS NULL THEN 'missing_est_salary'
        WHEN est_salary IS NULL THEN 'unparsable_est_salary'
        WHEN est_salary < 0 THEN 'negative_est_salary'
        WHEN churn_text IS NULL THEN 'missing_churn'
        WHEN churn IS NULL THEN 'invalid_flag_churn'
    END AS reason
FROM n
"""
)
con.execute(
    f"""COPY (SELECT source_line, reason, raw FROM classified WHERE reason IS NOT NULL ORDER BY source_line)
    TO '{out}/duckdb-quarantine.parquet' (FORMAT parquet)"""
)
con.execute(
    """
CREATE TEMP TABLE deduplicated AS
SELECT c.* FROM classified c
JOIN (SELECT min(source_line) AS first_line FROM classified WHERE reason IS NULL GROUP BY raw) f
  ON c.source_line = f.first_line
"""
)
q = con.execute(
    """SELECT quantile_cont(score, [0.25, 0.75]), quantile_cont(age, [0.25, 0.75]),
              quantile_cont(balance, [0.25, 0.75]), quantile_cont(est_salary, [0.25, 0.75])
       FROM deduplicated"""
).fetchone()
fences = []
for q1, q3 in q:
    iqr = q3 - q1
    fences += [q1 - 1.5 * iqr, q3 + 1.5 * iqr]
con.execute(
    f"""
COPY (
    SELECT d.user_id, d.score, d.city, d.gender, d.age, d.equity, d.balance, d.products,
        d.credit_card, d.last_activity, d.est_salary, d.churn,
        d.balance IS NULL AS balance_missing,
        dup.user_id IS NOT NULL AS duplicate_user_id,
        coalesce(d.score < $1 OR d.score > $2, false) AS outlier_score,
        coalesce(d.age < $3 OR d.age > $4, false) AS outlier_age,
        coalesce(d.balance < $5 OR d.balance > $6, false) AS outlier_balance,
        coalesce(d.est_salary < $7 OR d.est_salary > $8, false) AS outlier_est_salary,
        d.source_line
    FROM deduplicated d
    LEFT JOIN (SELECT user_id FROM deduplicated GROUP BY user_id HAVING count(*) > 1) dup
      ON dup.user_id = d.user_id
    ORDER BY d.source_line
) TO '{out}/duckdb-clean.parquet' (FORMAT parquet)
""",
    fences,
)
counts = con.execute(
    """SELECT count(*), count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL),
              count(*) FILTER (WHERE balance_text IS NULL) FROM classified"""
).fetchone()
clean = con.execute(f"SELECT count(*) FROM '{out}/duckdb-clean.parquet'").fetchone()[0]
by_churn = con.execute(
    "SELECT churn, count(*), count(*) FILTER (WHERE balance_text IS NULL) FROM classified GROUP BY churn ORDER BY churn"
).fetchall()
print(
    json.dumps(
        {
            "rows_read": counts[0],
            "rows_clean": clean,
            "rows_quarantined": counts[2],
            "exact_duplicates_removed": counts[1] - clean,
            "balance_missing": counts[3],
            "missing_balance_by_churn": [[str(c), r, m] for c, r, m in by_churn],
            "seconds": round(time.time() - started, 2),
        }
    )
)
