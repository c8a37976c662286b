package dev.mvmm.cli.support;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Questions on a terminal, for commands that ask what was not given (like vm-restore did). Only
 * ever used when both standard input and output are a terminal: scripted runs never prompt.
 */
public final class Prompter {

    /** The operator ended the dialogue (end of input, or "q"). */
    public static final class Aborted extends RuntimeException {
        public Aborted() {
            super("cancelled; nothing was changed");
        }
    }

    private final BufferedReader in;
    private final PrintWriter out;

    public Prompter(BufferedReader in, PrintWriter out) {
        this.in = in;
        this.out = out;
    }

    /** A prompter on the controlling terminal, or empty when stdin or stdout is not one. */
    public static Optional<Prompter> onTerminal() {
        Console console = System.console();
        return console == null ? Optional.empty()
                : Optional.of(new Prompter(new BufferedReader(console.reader()), console.writer()));
    }

    /** Numbered choices; Enter takes the default (1-based on screen). Returns the index chosen. */
    public int choose(String question, List<String> options, int defaultIndex) {
        out.println();
        out.println(question);
        for (int i = 0; i < options.size(); i++) {
            out.printf("  %2d) %s%n", i + 1, options.get(i));
        }
        while (true) {
            String answer = read("Choice [" + (defaultIndex + 1) + "]: ");
            if (answer.isEmpty()) {
                return defaultIndex;
            }
            try {
                int chosen = Integer.parseInt(answer);
                if (chosen >= 1 && chosen <= options.size()) {
                    return chosen - 1;
                }
            } catch (NumberFormatException e) {
                // Asked again below.
            }
            out.println("  Please answer with a number from 1 to " + options.size() + " (q to cancel).");
        }
    }

    /** Free text; Enter takes the default when there is one. */
    public String ask(String question, String defaultValue) {
        while (true) {
            String answer = read(question + (defaultValue == null ? "" : " [" + defaultValue + "]") + ": ");
            if (!answer.isEmpty()) {
                return answer;
            }
            if (defaultValue != null) {
                return defaultValue;
            }
        }
    }

    public boolean confirm(String question, boolean defaultYes) {
        while (true) {
            String answer = read(question + (defaultYes ? " [Y/n]: " : " [y/N]: ")).toLowerCase(Locale.ROOT);
            if (answer.isEmpty()) {
                return defaultYes;
            }
            if (answer.equals("y") || answer.equals("yes")) {
                return true;
            }
            if (answer.equals("n") || answer.equals("no")) {
                return false;
            }
        }
    }

    public void say(String line) {
        out.println(line);
        out.flush();
    }

    private String read(String prompt) {
        out.print(prompt);
        out.flush();
        try {
            String line = in.readLine();
            if (line == null || line.strip().equalsIgnoreCase("q")) {
                throw new Aborted();
            }
            return line.strip();
        } catch (IOException e) {
            throw new Aborted();
        }
    }
}
