-- The clean table, before the final projection: de-duplicated valid rows with their flags.
--
-- The outlier fences are the placeholders $<column>_lower / $<column>_upper (Float64, NULL: no fence
-- on that side), bound from the computed quantiles; a value outside its fences is flagged, never
-- dropped. `deduplicated` (deduplicate.sql) already carries duplicate_user_id. The rows arrive in
-- source order (classified is registered with that order), so the ORDER BY costs no sort.
SELECT
    d.*,
    d.balance IS NULL AS balance_missing,
    COALESCE(d.score < $score_lower OR d.score > $score_upper, false) AS outlier_score,
    COALESCE(
        CAST(d.age AS DOUBLE) < $age_lower OR CAST(d.age AS DOUBLE) > $age_upper, false
    ) AS outlier_age,
    COALESCE(d.balance < $balance_lower OR d.balance > $balance_upper, false) AS outlier_balance,
    COALESCE(
        d.est_salary < $est_salary_lower OR d.est_salary > $est_salary_upper, false
    ) AS outlier_est_salary
FROM deduplicated d
ORDER BY d.source_line
