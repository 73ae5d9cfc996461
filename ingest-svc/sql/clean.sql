-- The clean table, before the final projection: de-duplicated valid rows with their flags.
--
-- `fences` holds one row of outlier fences (NULL: no fence on that side); a value outside its
-- fences is flagged, never dropped. Every row of a user id that occurs more than once is flagged
-- as duplicate_user_id (in bank exports these are different customers in different cities).
SELECT
    d.*,
    d.balance IS NULL AS balance_missing,
    dup.dup_user_id IS NOT NULL AS duplicate_user_id,
    COALESCE(d.score < f.score_lower OR d.score > f.score_upper, false) AS outlier_score,
    COALESCE(d.age < f.age_lower OR d.age > f.age_upper, false) AS outlier_age,
    COALESCE(d.balance < f.balance_lower OR d.balance > f.balance_upper, false) AS outlier_balance,
    COALESCE(d.est_salary < f.est_salary_lower OR d.est_salary > f.est_salary_upper, false) AS outlier_est_salary
FROM deduplicated d
CROSS JOIN fences f
LEFT JOIN (
    SELECT user_id AS dup_user_id
    FROM deduplicated
    GROUP BY user_id
    HAVING count(*) > 1
) dup ON dup.dup_user_id = d.user_id
ORDER BY d.source_line
