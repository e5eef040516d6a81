// End-to-end tests start real stacks and load them: one at a time keeps them honest on two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
