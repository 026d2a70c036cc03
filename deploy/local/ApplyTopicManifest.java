// Creates the topics of deploy/topics.manifest on a broker and brings existing ones in
// line with it, in one JVM (TopicCommand would start one JVM per topic).
// Run by script/kafka on the Kafka classpath:
//   java -cp '<libs>/*:<classes>' ApplyTopicManifest <bootstrap> <manifest>
// Existing topics get more partitions if the manifest asks for more, configs set to the
// manifest's values, and per-topic overrides the manifest does not name removed.
// On a fresh broker it also has Kafka create and load its group and transaction
// coordinators, so the first consumer group or idempotent producer of a test need not
// wait for them (librdkafka would log COORDINATOR_LOAD_IN_PROGRESS and retry).
// Exit status: 0 done, 1 broker error, 2 bad usage or manifest.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class ApplyTopicManifest {
    record Spec(String name, int partitions, Map<String, String> configs) {}

    static final class ManifestError extends Exception {
        ManifestError(String message) { super(message); }
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ApplyTopicManifest <bootstrap-servers> <manifest>");
            System.exit(2);
        }
        try {
            List<Spec> specs = parse(Path.of(args[1]));
            try (Admin admin = Admin.create(adminConfig(args[0]))) {
                // Runs alongside the topic changes: each waits mostly for the broker.
                CompletableFuture<Void> warmUp = CompletableFuture.runAsync(() -> warmUpCoordinators(admin, args[0]));
                apply(admin, specs);
                warmUp.get();
            }
        } catch (ManifestError e) {
            System.err.println("ApplyTopicManifest: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            Throwable cause = e;
            while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.err.println("ApplyTopicManifest: " + cause);
            System.exit(1);
        }
    }

    static Properties adminConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "apply-topic-manifest");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return p;
    }

    static List<Spec> parse(Path manifest) throws Exception {
        if (!Files.isReadable(manifest)) throw new ManifestError("cannot read " + manifest);
        List<Spec> specs = new ArrayList<>();
        List<String> lines = Files.readAllLines(manifest);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) continue;
            String where = manifest + ":" + (i + 1) + ": ";
            String[] cols = line.split("\\s+");
            if (cols.length < 2 || cols.length > 3)
                throw new ManifestError(where + "expected 'name partitions [configs]', got '" + line + "'");
            int partitions;
            try {
                partitions = Integer.parseInt(cols[1]);
            } catch (NumberFormatException e) {
                partitions = 0;
            }
            if (partitions < 1) throw new ManifestError(where + "partitions must be a positive number: " + cols[1]);
            Map<String, String> configs = new LinkedHashMap<>();
            if (cols.length == 3 && !cols[2].equals("-")) {
                // A list value is written in brackets: cleanup.policy=[compact,delete].
                for (String kv : cols[2].split(",(?![^\\[]*\\])")) {
                    int eq = kv.indexOf('=');
                    if (eq < 1) throw new ManifestError(where + "config must be key=value: '" + kv + "'");
                    String value = kv.substring(eq + 1);
                    if (value.startsWith("[") && value.endsWith("]")) value = value.substring(1, value.length() - 1);
                    configs.put(kv.substring(0, eq), value);
                }
            }
            specs.add(new Spec(cols[0], partitions, configs));
        }
        return specs;
    }

    static void apply(Admin admin, List<Spec> specs) throws Exception {
        Set<String> existing = admin.listTopics().names().get();
        List<Spec> toCreate = specs.stream().filter(s -> !existing.contains(s.name())).toList();
        List<Spec> toCheck = specs.stream().filter(s -> existing.contains(s.name())).toList();

        int created = create(admin, toCreate);
        int changed = update(admin, toCheck);
        System.out.printf("topics: %d in manifest, %d created, %d updated, %d unchanged%n",
                specs.size(), created, changed, specs.size() - created - changed);
    }

    static int create(Admin admin, List<Spec> specs) throws Exception {
        if (specs.isEmpty()) return 0;
        List<NewTopic> topics = specs.stream()
                .map(s -> new NewTopic(s.name(), Optional.of(s.partitions()), Optional.empty()).configs(s.configs()))
                .toList();
        var results = admin.createTopics(topics).values();
        int created = 0;
        for (Spec spec : specs) {
            try {
                results.get(spec.name()).get();
                System.out.printf("  created %s (%d partitions)%n", spec.name(), spec.partitions());
                created++;
            } catch (ExecutionException e) {
                // Someone else (another `script/kafka topics`) created it meanwhile: fine.
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
        return created;
    }

    static int update(Admin admin, List<Spec> specs) throws Exception {
        if (specs.isEmpty()) return 0;
        List<String> names = specs.stream().map(Spec::name).toList();
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
        Map<ConfigResource, Config> configs = admin.describeConfigs(
                names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get();

        Map<String, NewPartitions> growth = new HashMap<>();
        Map<ConfigResource, Collection<AlterConfigOp>> alterations = new HashMap<>();
        Set<String> changed = new TreeSet<>();
        for (Spec spec : specs) {
            int current = descriptions.get(spec.name()).partitions().size();
            if (current < spec.partitions()) {
                growth.put(spec.name(), NewPartitions.increaseTo(spec.partitions()));
                System.out.printf("  %s: partitions %d -> %d%n", spec.name(), current, spec.partitions());
                changed.add(spec.name());
            } else if (current > spec.partitions()) {
                System.out.printf("  %s: has %d partitions, manifest says %d; Kafka cannot remove partitions%n",
                        spec.name(), current, spec.partitions());
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
            List<AlterConfigOp> ops = configChanges(spec, configs.get(resource));
            if (!ops.isEmpty()) {
                alterations.put(resource, ops);
                changed.add(spec.name());
            }
        }
        if (!growth.isEmpty()) admin.createPartitions(growth).all().get();
        if (!alterations.isEmpty()) admin.incrementalAlterConfigs(alterations).all().get();
        return changed.size();
    }

    static List<AlterConfigOp> configChanges(Spec spec, Config current) {
        Map<String, String> overrides = current.entries().stream()
                .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .collect(Collectors.toMap(ConfigEntry::name, e -> e.value() == null ? "" : e.value()));
        List<AlterConfigOp> ops = new ArrayList<>();
        spec.configs().forEach((key, value) -> {
            if (!value.equals(overrides.get(key))) {
                ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
                System.out.printf("  %s: set %s=%s%n", spec.name(), key, value);
            }
        });
        overrides.keySet().stream().filter(key -> !spec.configs().containsKey(key)).forEach(key -> {
            ops.add(new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE));
            System.out.printf("  %s: remove override %s%n", spec.name(), key);
        });
        return ops;
    }

    static void warmUpCoordinators(Admin admin, String bootstrap) {
        try {
            warmUpCoordinatorsOrThrow(admin, bootstrap);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    static void warmUpCoordinatorsOrThrow(Admin admin, String bootstrap) throws Exception {
        Set<String> internal = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        if (!internal.contains("__consumer_offsets")) {
            try {
                admin.describeConsumerGroups(List.of("civic-local-warm-up")).all().get();
            } catch (ExecutionException e) {
                // Expected: the coordinator, now loaded, does not know this group.
                if (!(e.getCause() instanceof GroupIdNotFoundException)) throw e;
            }
        }
        if (!internal.contains("__transaction_state")) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "civic-local-warm-up");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
            try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
            }
        }
    }
}
