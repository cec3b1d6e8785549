CREATE TABLE `odd name` (`col with space` INT PRIMARY KEY, `ç€` VARCHAR(10), `a"b` INT, `1st` INT, `$dollar` INT, `x;y` INT);
INSERT INTO `odd name` SELECT seq, 'é', seq, seq, seq, seq FROM seq_1_to_9;
CREATE TABLE `ünïcödé_表` (`名前` VARCHAR(10) PRIMARY KEY, `😀` INT);
INSERT INTO `ünïcödé_表` VALUES ('一', 1), ('二', 2);
CREATE TABLE `123` (`456` INT PRIMARY KEY);
INSERT INTO `123` VALUES (7);
