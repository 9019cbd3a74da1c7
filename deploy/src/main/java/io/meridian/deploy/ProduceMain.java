package io.meridian.deploy;

import io.meridian.common.lineprotocol.Precision;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.connector.kafka.MeridianKafkaProducer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/meridian produce --db DB < lines}: writes line protocol from stdin to the ingest topic, as any Kafka
 * producer would (one {@code lp} record per {@code --lines-per-record} lines, cut earlier so that a record stays
 * under Kafka's default 1 MiB message limit; header {@code db}); the ingest job
 * takes it from there. Waits for Kafka's acknowledgement of every record and prints how many it sent.
 *
 * <p>Exit codes: 0 when Kafka acknowledged every record, 1 when it did not (the reason is printed), 2 for bad
 * usage.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Send line protocol from stdin to Meridian's Kafka ingest topic.")
public final class ProduceMain implements Callable<Integer> {
    @Option(names = "--db", required = true, description = "the database (record header db)")
    String database;

    @Option(
            names = "--kafka",
            defaultValue = "127.0.0.1:9092",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, standalone mode's Kafka)")
    String bootstrap;

    @Option(names = "--topic", defaultValue = IngestTopic.DEFAULT_TOPIC, description = "default: ${DEFAULT-VALUE}")
    String topic;

    @Option(
            names = "--precision",
            defaultValue = "ns",
            description = "timestamp unit: ns, us, ms or s (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--lines-per-record", defaultValue = "1000", description = "default: ${DEFAULT-VALUE}")
    int linesPerRecord;

    /** Under Kafka's default max.request.size and message.max.bytes (1 MiB), with room for the headers. */
    static final int MAX_RECORD_BYTES = 900 * 1024;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProduceMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Precision p;
        try {
            p = Precision.parse(precision);
        } catch (RuntimeException e) {
            System.err.println("produce: invalid --precision '" + precision + "': want ns, us, ms or s");
            return 2;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        long lines = 0;
        try (MeridianKafkaProducer producer = new MeridianKafkaProducer(
                        bootstrap,
                        topic,
                        Map.of(
                                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                                15_000,
                                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                                30_000,
                                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                15_000));
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            StringBuilder record = new StringBuilder();
            int inRecord = 0;
            long recordBytes = 0;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                long lineBytes = line.getBytes(StandardCharsets.UTF_8).length + 1;
                if (inRecord > 0 && recordBytes + lineBytes > MAX_RECORD_BYTES) {
                    acks.add(producer.send(database, record.toString(), p));
                    record.setLength(0);
                    inRecord = 0;
                    recordBytes = 0;
                }
                record.append(line).append('\n');
                recordBytes += lineBytes;
                lines++;
                if (++inRecord == linesPerRecord) {
                    acks.add(producer.send(database, record.toString(), p));
                    record.setLength(0);
                    inRecord = 0;
                    recordBytes = 0;
                }
            }
            if (inRecord > 0) {
                acks.add(producer.send(database, record.toString(), p));
            }
            producer.flush();
            for (Future<RecordMetadata> a : acks) {
                a.get(30, TimeUnit.SECONDS);
            }
            producer.close(Duration.ofSeconds(10));
        } catch (Exception e) {
            System.err.println("produce: Kafka did not acknowledge [kafka=" + bootstrap + ", topic=" + topic + "]: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            return 1;
        }
        System.out.println(
                "sent " + lines + " lines in " + acks.size() + " records to " + topic + " (db=" + database + ")");
        return 0;
    }
}
