CREATE TABLE `odd``name x` (`c``1` INT PRIMARY KEY, `sp ace` INT, `d-ash` INT);
CREATE TABLE `dot.ted` (id INT PRIMARY KEY);
CREATE TABLE `ünïcødé 日本` (`é` INT PRIMARY KEY);
INSERT INTO `odd``name x` VALUES (1, 2, 3), (2, 3, 4);
INSERT INTO `dot.ted` VALUES (1);
INSERT INTO `ünïcødé 日本` VALUES (1), (2);
