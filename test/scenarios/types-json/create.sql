CREATE TABLE t (id INT PRIMARY KEY, j JSON);
INSERT INTO t VALUES (1, '{"a": [1, 2, {"b": null}], "s": "\\u00e9"}'), (2, '[]'), (3, NULL), (4, '"text"');
