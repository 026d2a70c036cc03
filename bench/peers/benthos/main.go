// The Redpanda Connect peer for script/bench, built from MIT-licensed parts only:
// the Benthos core (github.com/redpanda-data/benthos/v4, the engine Redpanda Connect
// is made of, with its http_server input and WebSocket path) and a Kafka output over
// franz-go (github.com/twmb/franz-go, the client Redpanda Connect's kafka_franz
// output wraps). Redpanda Connect itself (github.com/redpanda-data/connect/v4) is not
// used: its licence keeps it out of this workplace.
//
// The output acks a message only once Kafka has stored it (acks=all, idempotent
// producer, lz4, linger 5 ms as the gateway's producer); the config (bench/peers/
// benthos.yaml) then answers each WebSocket message with a sync response.
//
// usage: benthos-peer -c CONFIG (the Benthos command line)
package main

import (
	"context"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
)

type franzOutput struct {
	seeds  []string
	topic  string
	client *kgo.Client
}

func (o *franzOutput) Connect(ctx context.Context) error {
	client, err := kgo.NewClient(
		kgo.SeedBrokers(o.seeds...),
		kgo.DefaultProduceTopic(o.topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotent writes are franz-go's default
		kgo.ProducerBatchCompression(kgo.Lz4Compression()),
		kgo.ProducerLinger(5*time.Millisecond),
	)
	if err != nil {
		return err
	}
	if err = client.Ping(ctx); err != nil {
		client.Close()
		return err
	}
	o.client = client
	return nil
}

// WriteBatch returns once Kafka has acknowledged every record of the batch.
func (o *franzOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	records := make([]*kgo.Record, 0, len(batch))
	for _, msg := range batch {
		value, err := msg.AsBytes()
		if err != nil {
			return err
		}
		records = append(records, &kgo.Record{Value: value})
	}
	return o.client.ProduceSync(ctx, records...).FirstErr()
}

func (o *franzOutput) Close(ctx context.Context) error {
	if o.client != nil {
		o.client.Close()
	}
	return nil
}

func main() {
	spec := service.NewConfigSpec().
		Summary("Writes each message to Kafka with franz-go; acknowledges after Kafka has stored it.").
		Field(service.NewStringListField("seed_brokers")).
		Field(service.NewStringField("topic")).
		Field(service.NewIntField("max_in_flight").Default(64))
	err := service.RegisterBatchOutput("civic_kafka_franz", spec,
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			seeds, err := conf.FieldStringList("seed_brokers")
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			topic, err := conf.FieldString("topic")
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			inFlight, err := conf.FieldInt("max_in_flight")
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			return &franzOutput{seeds: seeds, topic: topic}, service.BatchPolicy{}, inFlight, nil
		})
	if err != nil {
		panic(err)
	}
	service.RunCLI(context.Background())
}
