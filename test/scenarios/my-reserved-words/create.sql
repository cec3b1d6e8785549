CREATE TABLE `select` (`from` INT PRIMARY KEY, `where` VARCHAR(10), `order` INT, `lateral` INT, `window` INT, `rank` INT, `groups` INT, `recursive` INT, `system` INT, `manual` INT, `parallel` INT, `qualify` INT, KEY `index` (`order`));
INSERT INTO `select` SELECT seq, 'w', seq, seq, seq, seq, seq, seq, seq, seq, seq, seq FROM seq_1_to_9;
CREATE TABLE `window` (`cume_dist` INT PRIMARY KEY, `json_table` INT);
INSERT INTO `window` VALUES (1, 1);
