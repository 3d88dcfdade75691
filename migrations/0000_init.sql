CREATE TABLE `kv` (
	`key` text PRIMARY KEY NOT NULL,
	`rev` integer NOT NULL,
	`create_rev` integer NOT NULL,
	`uid` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `log` (
	`rev` integer PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`type` integer NOT NULL,
	`create_rev` integer NOT NULL,
	`prev_rev` integer NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `log_key_rev` ON `log` (`key`,`rev`);--> statement-breakpoint
CREATE TABLE `meta` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
