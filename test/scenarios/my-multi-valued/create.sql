CREATE TABLE t (id INT PRIMARY KEY, j JSON, KEY tags ((CAST(j->'$.tags' AS UNSIGNED ARRAY))));
INSERT INTO t SELECT seq, JSON_OBJECT('tags', JSON_ARRAY(seq, seq + 1, seq * 10), 'n', seq) FROM seq_1_to_12;
INSERT INTO t VALUES (100, '{"tags": []}'), (101, NULL);
