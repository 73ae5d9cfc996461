-- Types every staged source row and decides whether it is valid.
--
-- Inputs (registered by clean.rs):
--   staging   one row per source record: source_line, field_count, raw (the record as a CSV line),
--             raw_<canonical column> (text as read, NULL when the source lacks the column),
--             pt_<n> (pass-through columns)
--   params    one row of typed settings: has_<column>, strict_city, strict_gender,
--             quarantine_missing_age, expected_fields and the valid ranges
--   value_map (col, src, dst): lower-cased trimmed source values and their canonical values
--
-- Output: every staged row with its typed canonical columns, `reason` (NULL: valid) and `detail`.
-- A value that is present but does not parse or breaks a rule never becomes NULL silently: the row
-- gets the reason code of the first check it fails, in the order below.
WITH texts AS (
    SELECT
        s.*,
        NULLIF(trim(s.raw_user_id), '') AS user_id_text,
        NULLIF(trim(s.raw_score), '') AS score_text,
        NULLIF(trim(s.raw_city), '') AS city_text,
        NULLIF(trim(s.raw_gender), '') AS gender_text,
        NULLIF(trim(s.raw_age), '') AS age_text,
        NULLIF(trim(s.raw_equity), '') AS equity_text,
        NULLIF(trim(s.raw_balance), '') AS balance_text,
        NULLIF(trim(s.raw_products), '') AS products_text,
        NULLIF(trim(s.raw_credit_card), '') AS credit_card_text,
        NULLIF(trim(s.raw_last_activity), '') AS last_activity_text,
        NULLIF(trim(s.raw_est_salary), '') AS est_salary_text,
        NULLIF(trim(s.raw_churn), '') AS churn_text
    FROM staging s
),
parsed AS (
    SELECT
        t.*,
        TRY_CAST(t.user_id_text AS BIGINT) AS user_id_int,
        TRY_CAST(t.user_id_text AS DOUBLE) AS user_id_num,
        TRY_CAST(t.score_text AS DOUBLE) AS score_num,
        TRY_CAST(t.age_text AS DOUBLE) AS age_num,
        TRY_CAST(t.equity_text AS DOUBLE) AS equity_num,
        TRY_CAST(t.balance_text AS DOUBLE) AS balance_num,
        TRY_CAST(t.products_text AS DOUBLE) AS products_num,
        TRY_CAST(t.est_salary_text AS DOUBLE) AS est_salary_num,
        m_city.dst AS city_mapped,
        m_gender.dst AS gender_mapped,
        TRY_CAST(m_credit_card.dst AS BOOLEAN) AS credit_card_flag,
        TRY_CAST(m_last_activity.dst AS BOOLEAN) AS last_activity_flag,
        TRY_CAST(m_churn.dst AS BOOLEAN) AS churn_flag
    FROM texts t
    LEFT JOIN value_map m_city
        ON m_city.col = 'city' AND m_city.src = lower(t.city_text)
    LEFT JOIN value_map m_gender
        ON m_gender.col = 'gender' AND m_gender.src = lower(t.gender_text)
    LEFT JOIN value_map m_credit_card
        ON m_credit_card.col = 'credit_card' AND m_credit_card.src = lower(t.credit_card_text)
    LEFT JOIN value_map m_last_activity
        ON m_last_activity.col = 'last_activity' AND m_last_activity.src = lower(t.last_activity_text)
    LEFT JOIN value_map m_churn
        ON m_churn.col = 'churn' AND m_churn.src = lower(t.churn_text)
),
typed AS (
    -- Whole numbers may be written as "25" or "25.0"; anything else (25.5, NaN, inf) does not parse.
    -- Floats must be finite.
    SELECT
        n.*,
        COALESCE(
            n.user_id_int,
            CASE WHEN n.user_id_num BETWEEN -9.0e15 AND 9.0e15 AND n.user_id_num = trunc(n.user_id_num)
                 THEN TRY_CAST(n.user_id_num AS BIGINT) END
        ) AS user_id,
        CASE WHEN n.score_num BETWEEN -1.0e300 AND 1.0e300 THEN n.score_num END AS score,
        CASE WHEN p.strict_city THEN n.city_mapped ELSE COALESCE(n.city_mapped, n.city_text) END AS city,
        CASE WHEN p.strict_gender THEN n.gender_mapped ELSE COALESCE(n.gender_mapped, n.gender_text) END AS gender,
        CASE WHEN n.age_num BETWEEN -32768 AND 32767 AND n.age_num = trunc(n.age_num)
             THEN TRY_CAST(n.age_num AS SMALLINT) END AS age,
        CASE WHEN n.equity_num BETWEEN -32768 AND 32767 AND n.equity_num = trunc(n.equity_num)
             THEN TRY_CAST(n.equity_num AS SMALLINT) END AS equity,
        CASE WHEN n.balance_num BETWEEN -1.0e300 AND 1.0e300 THEN n.balance_num END AS balance,
        CASE WHEN n.products_num BETWEEN -32768 AND 32767 AND n.products_num = trunc(n.products_num)
             THEN TRY_CAST(n.products_num AS SMALLINT) END AS products,
        n.credit_card_flag AS credit_card,
        n.last_activity_flag AS last_activity,
        CASE WHEN n.est_salary_num BETWEEN -1.0e300 AND 1.0e300 THEN n.est_salary_num END AS est_salary,
        n.churn_flag AS churn
    FROM params p
    CROSS JOIN parsed n
),
classified AS (
    SELECT
        c.*,
        CASE
            WHEN c.field_count <> p.expected_fields THEN 'wrong_field_count'
            WHEN c.user_id_text IS NULL THEN 'missing_user_id'
            WHEN c.user_id IS NULL THEN 'unparsable_user_id'
            WHEN p.has_score AND c.score_text IS NULL THEN 'missing_score'
            WHEN p.has_score AND c.score IS NULL THEN 'unparsable_score'
            WHEN p.has_score AND (c.score < p.min_score OR c.score > p.max_score) THEN 'score_out_of_range'
            WHEN p.has_city AND c.city_text IS NULL THEN 'missing_city'
            WHEN p.has_city AND c.city IS NULL THEN 'invalid_city'
            WHEN p.has_gender AND c.gender_text IS NULL THEN 'missing_gender'
            WHEN p.has_gender AND c.gender IS NULL THEN 'invalid_gender'
            WHEN p.has_age AND c.age_text IS NULL AND p.quarantine_missing_age THEN 'missing_age'
            WHEN p.has_age AND c.age_text IS NOT NULL AND c.age IS NULL THEN 'unparsable_age'
            WHEN p.has_age AND (c.age < p.min_age OR c.age > p.max_age) THEN 'age_out_of_range'
            WHEN p.has_equity AND c.equity_text IS NULL THEN 'missing_equity'
            WHEN p.has_equity AND c.equity IS NULL THEN 'unparsable_equity'
            WHEN p.has_equity AND c.equity < 0 THEN 'negative_equity'
            WHEN p.has_balance AND c.balance_text IS NOT NULL AND c.balance IS NULL THEN 'unparsable_balance'
            WHEN p.has_balance AND c.balance < 0 THEN 'negative_balance'
            WHEN p.has_products AND c.products_text IS NULL THEN 'missing_products'
            WHEN p.has_products AND c.products_num IS NULL THEN 'unparsable_products'
            WHEN p.has_products AND (c.products_num < p.min_products OR c.products_num > p.max_products)
                THEN 'products_out_of_range'
            WHEN p.has_products AND c.products IS NULL THEN 'unparsable_products'
            WHEN p.has_credit_card AND c.credit_card_text IS NULL THEN 'missing_credit_card'
            WHEN p.has_credit_card AND c.credit_card IS NULL THEN 'invalid_flag_credit_card'
            WHEN p.has_last_activity AND c.last_activity_text IS NULL THEN 'missing_last_activity'
            WHEN p.has_last_activity AND c.last_activity IS NULL THEN 'invalid_flag_last_activity'
            WHEN p.has_est_salary AND c.est_salary_text IS NULL THEN 'missing_est_salary'
            WHEN p.has_est_salary AND c.est_salary IS NULL THEN 'unparsable_est_salary'
            WHEN p.has_est_salary AND c.est_salary < 0 THEN 'negative_est_salary'
            WHEN p.has_churn AND c.churn_text IS NULL THEN 'missing_churn'
            WHEN p.has_churn AND c.churn IS NULL THEN 'invalid_flag_churn'
        END AS reason
    FROM params p
    CROSS JOIN typed c
)
SELECT
    -- Keep the typed columns, the pass-through columns, source_line, field_count, raw and
    -- balance_text (the missing-balance breakdown counts empty balances of every row read).
    r.* EXCLUDE (
        raw_user_id, raw_score, raw_city, raw_gender, raw_age, raw_equity, raw_balance,
        raw_products, raw_credit_card, raw_last_activity, raw_est_salary, raw_churn,
        user_id_text, score_text, city_text, gender_text, age_text, equity_text, products_text,
        credit_card_text, last_activity_text, est_salary_text, churn_text,
        user_id_int, user_id_num, score_num, age_num, equity_num, balance_num, products_num,
        est_salary_num, city_mapped, gender_mapped, credit_card_flag, last_activity_flag,
        churn_flag
    ),
    CASE r.reason
        WHEN 'wrong_field_count' THEN concat('expected ', p.expected_fields, ' fields, found ', r.field_count)
        WHEN 'unparsable_user_id' THEN concat('user_id ', r.user_id_text, ' is not a whole number')
        WHEN 'unparsable_score' THEN concat('score ', r.score_text, ' is not a number')
        WHEN 'score_out_of_range' THEN concat('score ', r.score_text, ' is outside ', p.min_score, '..=', p.max_score)
        WHEN 'invalid_city' THEN concat('city ', r.city_text, ' is not in the mapping''s value list')
        WHEN 'invalid_gender' THEN concat('gender ', r.gender_text, ' is not in the mapping''s value list')
        WHEN 'unparsable_age' THEN concat('age ', r.age_text, ' is not a whole number')
        WHEN 'age_out_of_range' THEN concat('age ', r.age_text, ' is outside ', p.min_age, '..=', p.max_age)
        WHEN 'unparsable_equity' THEN concat('equity ', r.equity_text, ' is not a whole number')
        WHEN 'negative_equity' THEN concat('equity ', r.equity_text, ' is negative')
        WHEN 'unparsable_balance' THEN concat('balance ', r.balance_text, ' is not a number')
        WHEN 'negative_balance' THEN concat('balance ', r.balance_text, ' is negative')
        WHEN 'unparsable_products' THEN concat('products ', r.products_text, ' is not a whole number')
        WHEN 'products_out_of_range' THEN concat('products ', r.products_text, ' is outside ', p.min_products, '..=', p.max_products)
        WHEN 'invalid_flag_credit_card' THEN concat('credit_card ', r.credit_card_text, ' is not a known flag value')
        WHEN 'invalid_flag_last_activity' THEN concat('last_activity ', r.last_activity_text, ' is not a known flag value')
        WHEN 'unparsable_est_salary' THEN concat('est_salary ', r.est_salary_text, ' is not a number')
        WHEN 'negative_est_salary' THEN concat('est_salary ', r.est_salary_text, ' is negative')
        WHEN 'invalid_flag_churn' THEN concat('churn ', r.churn_text, ' is not a known flag value')
        ELSE concat(substr(r.reason, 9), ' is empty')
    END AS detail
FROM params p
CROSS JOIN classified r
