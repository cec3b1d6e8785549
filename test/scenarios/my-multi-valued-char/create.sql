CREATE TABLE t (id INT PRIMARY KEY, doc JSON, KEY zips ((CAST(doc->'$.zips' AS CHAR(10) ARRAY)), id));
INSERT INTO t SELECT seq, JSON_OBJECT('zips', JSON_ARRAY(CONCAT('Z', seq), CONCAT('Y', seq))) FROM seq_1_to_9;
