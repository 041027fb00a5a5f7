package dev.shovel.cli;

import java.io.PrintStream;
import java.util.List;

/** Loading warnings on stderr: the first few, then how many more (a hostile file can have thousands). */
final class Warnings {
    static final int SHOWN = 3;

    private Warnings() { }

    static void print(List<String> warnings, PrintStream err) {
        for (int i = 0; i < Math.min(SHOWN, warnings.size()); i++) err.println("warning: " + warnings.get(i));
        if (warnings.size() > SHOWN) err.println("warning: … and " + (warnings.size() - SHOWN) + " more");
    }
}
