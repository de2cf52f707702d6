package dev.ensemble.llm.model;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line: trains the bundled model into a directory (unless it is there) and prints a sample.
 *
 * <pre>java -cp ... dev.ensemble.llm.model.TrainBundled &lt;dir&gt; [--steps N] [--hidden N] [--prompt TEXT]</pre>
 */
public final class TrainBundled {

    private TrainBundled() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TrainBundled <dir> [--steps N] [--hidden N] [--prompt TEXT]");
            System.exit(2);
        }
        LlmRuntime.configure(1, 1);
        Path dir = Path.of(args[0]);
        TrainingOptions options = BundledModel.defaultOptions();
        String prompt = "User: Tell me a story.\nAssistant: ";
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--steps" -> options = options.withSteps(Integer.parseInt(args[i + 1]));
                case "--hidden" -> options = options.withSize(Integer.parseInt(args[i + 1]), options.layers());
                case "--prompt" -> prompt = args[i + 1].replace("\\n", "\n");
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        TrainingListener progress = new TrainingListener() {
            @Override public void onStep(TrainingProgress p) {
                System.out.printf(Locale.ROOT, "step %d/%d epoch %.2f loss %.3f %.0f tokens/s%n",
                        p.step(), p.totalSteps(), p.epoch(), p.loss(), p.tokensPerSecond());
            }
        };
        TrainingResult result = BundledModel.ensureTrained(dir, options, progress);
        System.out.println(result == null ? "model already present in " + dir : "trained: " + result);
        try (LanguageModel model = LanguageModel.load(dir)) {
            GenerationParams params = GenerationParams.defaults().withMaxTokens(300).withSeed(1L).withStop(java.util.List.of("\nUser:", "\n\n"));
            GenerationResult r = model.generator().stream(prompt, params, piece -> {
                System.out.print(piece);
                System.out.flush();
            }, null);
            System.out.printf(Locale.ROOT, "%n-- %d prompt + %d completion tokens, first token %.1f ms, %.0f tokens/s%n",
                    r.usage().promptTokens(), r.usage().completionTokens(), r.timeToFirstTokenNanos() / 1e6, r.tokensPerSecond());
        }
    }
}
