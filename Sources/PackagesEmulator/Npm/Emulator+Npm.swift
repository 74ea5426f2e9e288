/// npm's registry (SPEC §22) under `/npm/` on the REST API's listener: journaled and subject to fault
/// rules as the Container registry is, with npm's error shape.
extension Emulator {
    func npmExchange(_ request: Request, target: RequestTarget, hasBody: Bool) -> RegistryExchange {
        let started = ContinuousClock.now
        let resolved = NpmOperation.resolve(method: request.method, path: target.path)
        let match = resolved.match
        let name = match.map { ($0.scope.map { $0 + "/" } ?? "") + $0.name }
        var fault: Fault?
        if !faults.isEmpty {
            var subject = FaultSubject(registry: request, operation: match?.operation.id, name: name)
            subject.packageType = name == nil ? nil : "npm"
            if case .token(let token, _) = NpmRequest.caller(of: request, in: store) { subject.token = token.value }
            fault = faults.take(matching: subject)
        }
        let record = { [self] (response: Response) in
            if journal.isEnabled {
                journal.record(request, response: response, fault: fault, elapsed: ContinuousClock.now - started,
                               time: config.clock())
            }
        }
        let delay = fault.flatMap { if case .delay(let milliseconds) = $0.kind { milliseconds } else { nil } } ?? 0
        let exchange: RegistryExchange
        if let fault, let injected = registryFault(fault, render: { failure, headers in
            var response = NpmRequest.answer(failure)
            response.headers += headers
            return response
        }) {
            exchange = .answer(injected)
        } else if let (operation, scope, packageName, parameters) = match {
            exchange = NpmRequest(emulator: self, request: request, scope: scope, name: packageName,
                                  parameters: parameters, hasBody: hasBody, operation: operation.id, delay: delay,
                                  record: record).answer(operation.action)
        } else {
            let failure = resolved.pathMatched ? NpmError.make(405, "method not allowed") : NpmError.make(404, "Not found")
            exchange = .answer(NpmRequest.answer(failure))
        }
        switch exchange {
        case .answer(var response):
            response.operation = match?.operation.id
            response.delayMilliseconds = delay
            record(response)
            return .answer(response)
        case .body(let sink):
            return .body(sink)
        }
    }
}
