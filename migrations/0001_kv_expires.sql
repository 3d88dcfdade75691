ALTER TABLE `kv` ADD `expires` integer;--> statement-breakpoint
CREATE INDEX `kv_expires` ON `kv` (`expires`) WHERE "kv"."expires" IS NOT NULL;