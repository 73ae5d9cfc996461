-- The keys the duplicate checks compare, for every valid row: user id, the record as read (`raw`)
-- and its line. clean.rs splits this stream into buckets by a hash of user_id, so that every
-- bucket holds all rows of its ids and `marks.sql` can run on one bucket at a time.
SELECT user_id, raw, source_line
FROM classified
WHERE reason IS NULL
