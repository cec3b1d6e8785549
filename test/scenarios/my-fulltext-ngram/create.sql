CREATE TABLE t (id INT PRIMARY KEY, body TEXT CHARACTER SET utf8mb4, FULLTEXT KEY ng (body) WITH PARSER ngram);
INSERT INTO t VALUES (1, '数据库管理系统'), (2, '日本語のテキスト'), (3, '한국어 텍스트'), (4, 'plain ascii words');
