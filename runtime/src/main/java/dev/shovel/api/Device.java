package dev.shovel.api;

import dev.shovel.ShovelException;
import dev.shovel.backend.Backend;
import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.opencl.OpenCL;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a model's layers run: the CPU, or OpenCL device {@code index} as {@code shovel devices} numbers them
 * ({@code index < 0}: the first GPU, else the first device). Parsed from {@code cpu}, {@code opencl} or
 * {@code opencl:N}. Nothing OpenCL is loaded unless an OpenCL device is opened or listed.
 */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, OPENCL }

    public static final Device CPU = new Device(Kind.CPU, -1);

    public Device {
        if (kind == null) throw new ShovelException("device kind is missing");
        if (kind == Kind.CPU) index = -1;
    }

    /** The default OpenCL device. */
    public static Device opencl() { return new Device(Kind.OPENCL, -1); }

    public static Device opencl(int index) {
        if (index < 0) throw new ShovelException("OpenCL device index must be >= 0, got " + index);
        return new Device(Kind.OPENCL, index);
    }

    public static Device parse(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) return CPU;
        if (t.equals("opencl") || t.equals("gpu")) return opencl();
        if (t.startsWith("opencl:")) {
            try {
                return opencl(Integer.parseInt(t.substring(7)));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new ShovelException("unknown device '" + s + "'; use cpu, opencl or opencl:N (see 'shovel devices')");
    }

    public boolean isOpenCl() { return kind == Kind.OPENCL; }

    /** The backend label llama-bench prints. */
    public String label() { return isOpenCl() ? "OpenCL" : "CPU"; }

    @Override
    public String toString() { return kind == Kind.CPU ? "cpu" : index < 0 ? "opencl" : "opencl:" + index; }

    /** The backend of this device, or null for the CPU (whose backend the model already has). */
    Backend open(CpuBackend cpu) {
        return isOpenCl() ? OpenCL.open(index, cpu) : null;
    }

    /** One line per device: the CPU, then each OpenCL device, or why there is none. */
    public static List<String> describeAll() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-9s %s (%d threads)", "cpu", cpuName(), Runtime.getRuntime().availableProcessors()));
        lines.addAll(OpenCL.describeDevices());
        return lines;
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the architecture
        }
        return System.getProperty("os.arch");
    }
}
