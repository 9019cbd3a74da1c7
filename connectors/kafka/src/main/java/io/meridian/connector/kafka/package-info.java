/**
 * Meridian's Kafka ingest topic: its record format (FORMAT.md next to this module's pom), the codec that
 * writes and reads it, and a producer for Java applications.
 *
 * <pre>
 *   HTTP client --lp--> broker --LineBatcher--> PointBatch per shard --IngestRecordCodec.encodeBatch--> pb1 records
 *   Java app --MeridianKafkaProducer--> lp records                                                          |
 *   any producer (db header) --> lp records --------------------------------------------------------------+--> topic
 *   pre-aggregating writer --IngestRecordCodec.encodePartials--> pa1 records (keyed or not) --------------'
 *   topic --> ingest job: IngestRecordCodec.decode --> IngestRecord.Lines | IngestRecord.Batch | IngestRecord.Partials
 *                                                  \--> IngestRecordException --deadLetter--> DLQ topic
 * </pre>
 */
package io.meridian.connector.kafka;
