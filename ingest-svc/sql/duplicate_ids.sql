-- Rows of the clean table whose user id occurs more than once, and how many ids that is.
SELECT
    count(*) AS duplicate_id_rows,
    count(DISTINCT user_id) AS duplicate_ids
FROM clean
WHERE duplicate_user_id
