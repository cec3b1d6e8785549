CREATE TABLE `order` (`select` INT PRIMARY KEY, `from` VARCHAR(10), `key` INT, KEY `index` (`key`));
INSERT INTO `order` VALUES (1, 'a', 1), (2, 'b', 2);
