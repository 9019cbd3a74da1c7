package io.meridian.connector.flink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A writer's checkpointed state: the run id that, with the sink id and the subtask, names the writer on the
 * storage nodes. Kept across restores so that the restored writer can abort what its failed predecessor staged
 * and commits continue in increasing order; a job started from scratch gets a new run id, so it never collides
 * with the committed transactions of an earlier run.
 *
 * @param runId a random id drawn when the job first started
 */
public record WriterState(String runId) {
    public WriterState {
        Objects.requireNonNull(runId, "runId");
    }

    /** Version 1: {@code runId UTF}. */
    public static final class Serializer implements SimpleVersionedSerializer<WriterState> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(WriterState state) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(state.runId());
            }
            return bytes.toByteArray();
        }

        @Override
        public WriterState deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown writer state version [version=" + version + "]: this sink reads 1");
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return new WriterState(in.readUTF());
            }
        }
    }
}
