package dev.ensemble.bench;

import java.util.Arrays;

/** Entry point: {@code Bench <benchmark> [options]}; each benchmark documents its options with --help. */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "gateway-overhead" -> GatewayOverhead.main(rest);
            case "guardrails" -> GuardrailBench.main(rest);
            case "jobs" -> JobBench.main(rest);
            case "llm" -> LlmBench.main(rest);
            case "serving" -> ServingBench.main(rest);
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("usage: Bench gateway-overhead|guardrails|jobs|serving [--help | options]");
    }
}
