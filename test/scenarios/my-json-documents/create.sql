CREATE TABLE t (id INT PRIMARY KEY, j JSON, d JSON DEFAULT (JSON_OBJECT('k', 'v')));
INSERT INTO t VALUES (1, '{"a": [1, 2, {"b": null}], "s": "\\u00e9", "big": 18446744073709551615, "neg": -9223372036854775808, "f": 1.5e300}', DEFAULT),
  (2, '[]', '{}'), (3, NULL, NULL), (4, '"text"', 'true'), (5, CAST(CAST('2024-01-02' AS DATE) AS JSON), CAST(CAST(3.25 AS DECIMAL(5,2)) AS JSON));
