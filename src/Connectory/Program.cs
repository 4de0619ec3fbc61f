using Connectory.Hosting;

// connectory [command] [options] [--Section:Key=value ...]: commands and options are declared in Hosting/ConnectoryCommandLine.cs.
return await ConnectoryCommandLine.RunAsync(args);

public partial class Program;
