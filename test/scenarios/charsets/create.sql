CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, b VARCHAR(20) CHARACTER SET latin1, c VARCHAR(20) CHARACTER SET utf16, d VARCHAR(20) CHARACTER SET binary, e VARCHAR(20) CHARACTER SET ascii) DEFAULT CHARSET=utf8mb3;
INSERT INTO t VALUES (1, 'emoji 😀 é', 'café', '日本', 'raw', 'plain'), (2, '', '', '', '', '');
