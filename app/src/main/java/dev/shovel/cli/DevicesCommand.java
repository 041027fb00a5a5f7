package dev.shovel.cli;

import dev.shovel.api.Device;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Lists the devices {@code --device} accepts: the CPU and every OpenCL device (or why there is none). */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the devices --device accepts: cpu, and opencl:N for each OpenCL device.")
public final class DevicesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (String line : Device.describeAll()) System.out.println(line);
        return 0;
    }
}
