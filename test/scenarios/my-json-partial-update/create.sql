CREATE TABLE t (id INT PRIMARY KEY, doc JSON NOT NULL);
INSERT INTO t SELECT seq, JSON_OBJECT('a', seq, 'list', JSON_ARRAY(1, 2, 3), 'pad', REPEAT('x', 200)) FROM seq_1_to_9;
SET SESSION binlog_row_value_options = 'PARTIAL_JSON', SESSION binlog_row_image = 'MINIMAL';
UPDATE t SET doc = JSON_SET(doc, '$.a', id * 10), doc = JSON_REPLACE(doc, '$.pad', 'short'), doc = JSON_REMOVE(doc, '$.list[1]');
