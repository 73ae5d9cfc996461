-- The clean table, before the final projection: de-duplicated valid rows with their flags.
--
-- The outlier fences are the placeholders $<column>_lower / $<column>_upper (Float64, NULL: no fence
-- on that side), bound from the computed quantiles; a value outside its fences is flagged, never
-- dropped. Every row of a user id that occurs more than once is flagged as duplicate_user_id (in
-- bank exports these are different customers in different cities). The repeated ids come first so
-- that they, not the whole table, are the hash join's build side.
SELECT
    d.*,
    d.balance IS NULL AS balance_missing,
    dup.dup_user_id IS NOT NULL AS duplicate_user_id,
    COALESCE(d.score < $score_lower OR d.score > $score_upper, false) AS outlier_score,
    COALESCE(
        CAST(d.age AS DOUBLE) < $age_lower OR CAST(d.age AS DOUBLE) > $age_upper, false
    ) AS outlier_age,
    COALESCE(d.balance < $balance_lower OR d.balance > $balance_upper, false) AS outlier_balance,
    COALESCE(
        d.est_salary < $est_salary_lower OR d.est_salary > $est_salary_upper, false
    ) AS outlier_est_salary
FROM (
    SELECT user_id AS dup_user_id
    FROM deduplicated
    GROUP BY user_id
    HAVING count(*) > 1
) dup
RIGHT JOIN deduplicated d ON dup.dup_user_id = d.user_id
ORDER BY d.source_line
