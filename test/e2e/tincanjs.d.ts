/**
 * The part of TinCanJS 0.50 (npm `tincanjs`, build/tincan-node.js) that the e2e tests use.
 * The package ships no typings; this mirrors its documented API. In Node only the
 * asynchronous (callback) form of the LRS methods works: synchronous XHR is not supported.
 */
declare module 'tincanjs' {
  namespace TinCan {
    type LanguageMap = Record<string, string>;

    /** HTTP status (number), or a thrown error/message when the request was never sent. */
    type RequestError = number | string | Error;

    /** Success: err is null and the result is parsed; failure: err is set and the XHR (if any) is passed. */
    type Callback<T> = (...args: [err: null, result: T] | [err: RequestError, result: XHR | null]) => void;

    /** The xhr2 XMLHttpRequest the Node environment uses. */
    interface XHR {
      status: number;
      responseText: string;
      response: unknown;
      getResponseHeader(name: string): string | null;
    }

    interface AgentAccount {
      homePage: string;
      name: string;
    }

    interface AgentCfg {
      objectType?: 'Agent';
      name?: string;
      mbox?: string;
      mbox_sha1sum?: string;
      openid?: string;
      account?: AgentAccount;
    }

    class Agent {
      constructor(cfg?: AgentCfg);
      objectType: 'Agent';
      name: string | null;
      mbox: string | null;
      mbox_sha1sum: string | null;
      openid: string | null;
      account: AgentAccount | null;
      asVersion(version?: string): Record<string, unknown>;
    }

    class Group {
      constructor(cfg?: Record<string, unknown>);
      objectType: 'Group';
      name: string | null;
      member: Agent[];
    }

    interface VerbCfg {
      id: string;
      display?: LanguageMap;
    }

    class Verb {
      constructor(cfg: VerbCfg);
      id: string;
      display: LanguageMap | null;
    }

    interface ActivityCfg {
      objectType?: 'Activity';
      id: string;
      definition?: { name?: LanguageMap; description?: LanguageMap; type?: string };
    }

    class Activity {
      constructor(cfg: ActivityCfg);
      objectType: 'Activity';
      id: string;
    }

    interface StatementRefCfg {
      objectType?: 'StatementRef';
      id: string;
    }

    class StatementRef {
      constructor(cfg: StatementRefCfg);
      objectType: 'StatementRef';
      id: string;
    }

    class SubStatement {
      constructor(cfg: Record<string, unknown>);
      objectType: 'SubStatement';
    }

    interface AttachmentCfg {
      usageType: string;
      display: LanguageMap;
      contentType: string;
      description?: LanguageMap;
      fileUrl?: string;
      length?: number;
      sha2?: string;
      /** A string (encoded as UTF-8) or the raw bytes; sets length and sha2. */
      content?: string | ArrayBuffer;
    }

    class Attachment {
      constructor(cfg?: AttachmentCfg);
      usageType: string | null;
      display: LanguageMap | null;
      contentType: string | null;
      length: number | null;
      sha2: string | null;
      content: ArrayBuffer | null;
      setContentFromString(content: string): void;
      getContentAsString(): string;
    }

    interface StatementCfg {
      id?: string;
      actor?: Agent | AgentCfg;
      verb?: Verb | VerbCfg;
      object?: Activity | Agent | StatementRef | ActivityCfg | AgentCfg | StatementRefCfg;
      target?: Activity | Agent | StatementRef | ActivityCfg | AgentCfg | StatementRefCfg;
      result?: Record<string, unknown>;
      context?: Record<string, unknown>;
      timestamp?: string;
      attachments?: (Attachment | AttachmentCfg)[];
      version?: string;
    }

    class Statement {
      /** doStamp (default true) fills id and timestamp on the client. */
      constructor(cfg?: StatementCfg, initCfg?: { doStamp?: boolean; storeOriginal?: number });
      id: string | null;
      actor: Agent | Group | null;
      verb: Verb | null;
      target: Activity | Agent | Group | StatementRef | SubStatement | null;
      result: Record<string, unknown> | null;
      context: Record<string, unknown> | null;
      timestamp: string | null;
      stored: string | null;
      authority: Agent | Group | null;
      version: string | null;
      attachments: Attachment[] | null;
      asVersion(version?: string): Record<string, unknown>;
      static fromJSON(json: string): Statement;
    }

    class StatementsResult {
      statements: Statement[];
      /** The LRS's `more` IRL: empty or null on the last page. */
      more: string | null;
      static fromJSON(json: string): StatementsResult;
    }

    class About {
      version: string[];
    }

    interface LRSCfg {
      endpoint: string;
      username?: string;
      password?: string;
      auth?: string;
      /** TinCanJS 0.50 knows 1.0.0–1.0.2 (not 1.0.3), 0.95 and 0.9. */
      version?: '1.0.2' | '1.0.1' | '1.0.0';
      allowFail?: boolean;
      extended?: Record<string, string>;
    }

    interface QueryParams {
      agent?: Agent | Group;
      verb?: Verb | string;
      activity?: Activity | string;
      registration?: string;
      related_activities?: boolean;
      related_agents?: boolean;
      since?: string;
      until?: string;
      limit?: number;
      format?: 'ids' | 'exact' | 'canonical';
      ascending?: boolean;
      attachments?: boolean;
    }

    class LRS {
      constructor(cfg: LRSCfg);
      endpoint: string;
      version: string;
      auth: string;
      about(cfg: { callback: Callback<About> }): void;
      /** PUT with statementId when the statement has an id, else POST. */
      saveStatement(statement: Statement, cfg: { callback: Callback<XHR> }): void;
      saveStatements(statements: Statement[], cfg: { callback: Callback<XHR> }): void;
      retrieveStatement(id: string, cfg: { params?: { attachments?: boolean }; callback: Callback<Statement> }): void;
      retrieveVoidedStatement(id: string, cfg: { params?: { attachments?: boolean }; callback: Callback<Statement> }): void;
      queryStatements(cfg: { params: QueryParams; callback: Callback<StatementsResult> }): void;
      moreStatements(cfg: { url: string; callback: Callback<StatementsResult> }): void;
      /** A 404 is not an error: the callback gets null. */
      retrieveState(key: string, cfg: StateCfg & { requestHeaders?: Record<string, string>; callback: Callback<State | null> }): void;
      retrieveStateIds(cfg: StateCfg & { since?: string; callback: Callback<string[]> }): void;
      saveState(key: string, val: unknown, cfg: StateCfg & SaveDocumentCfg): void;
      /** DELETE of one state (key) or of the whole context (null). Sends no If-Match unless in requestHeaders. */
      dropState(key: string | null, cfg: StateCfg & { requestHeaders?: Record<string, string>; callback: Callback<XHR> }): void;
      retrieveActivityProfile(key: string, cfg: { activity: Activity; callback: Callback<ActivityProfile | null> }): void;
      retrieveActivityProfileIds(cfg: { activity: Activity; since?: string; callback: Callback<string[]> }): void;
      saveActivityProfile(key: string, val: unknown, cfg: { activity: Activity } & SaveDocumentCfg): void;
      dropActivityProfile(key: string, cfg: { activity: Activity; requestHeaders?: Record<string, string>; callback: Callback<XHR> }): void;
      retrieveAgentProfile(key: string, cfg: { agent: Agent; callback: Callback<AgentProfile | null> }): void;
      retrieveAgentProfileIds(cfg: { agent: Agent; since?: string; callback: Callback<string[]> }): void;
      saveAgentProfile(key: string, val: unknown, cfg: { agent: Agent } & SaveDocumentCfg): void;
      dropAgentProfile(key: string, cfg: { agent: Agent; requestHeaders?: Record<string, string>; callback: Callback<XHR> }): void;
    }

    /** A document as retrieveState / retrieveActivityProfile / retrieveAgentProfile return it. */
    interface DocumentBase {
      id: string;
      /** The body: parsed when the Content-Type is application/json, else the response text. */
      contents: unknown;
      /** The ETag header the LRS sent (quoted), or the quoted SHA-1 of the body when it sent none. */
      etag: string | null;
      contentType: string | null;
    }

    class State implements DocumentBase {
      id: string;
      contents: unknown;
      etag: string | null;
      contentType: string | null;
    }

    class ActivityProfile implements DocumentBase {
      id: string;
      contents: unknown;
      etag: string | null;
      contentType: string | null;
      activity: Activity | null;
    }

    class AgentProfile implements DocumentBase {
      id: string;
      contents: unknown;
      etag: string | null;
      contentType: string | null;
      agent: Agent | null;
    }

    /** Options of saveState / saveActivityProfile / saveAgentProfile. */
    interface SaveDocumentCfg {
      /** Sent as If-Match. Without it a profile save sends `If-None-Match: *` (state sends neither). */
      lastSHA1?: string | null;
      /** Default application/octet-stream; an object value is JSON-stringified when this is JSON. */
      contentType?: string;
      /** PUT (default) or POST. */
      method?: 'PUT' | 'POST';
      requestHeaders?: Record<string, string>;
      callback: Callback<XHR>;
    }

    interface StateCfg {
      activity: Activity;
      agent: Agent;
      registration?: string | null;
    }

    interface RecordStoreResult {
      err: RequestError | null;
      xhr: XHR | null;
    }

    function versions(): string[];
  }

  /** The high-level facade over one or more record stores. */
  class TinCan {
    constructor(cfg?: { recordStores?: (TinCan.LRS | TinCan.LRSCfg)[]; actor?: TinCan.Agent });
    recordStores: TinCan.LRS[];
    /** Sends a voiding statement (verb voided, StatementRef object) to every record store. */
    voidStatement(
      statement: TinCan.Statement | string,
      callback: (results: TinCan.RecordStoreResult[], voidingStatement: TinCan.Statement) => void,
      options: { actor: TinCan.Agent },
    ): void;
    /** Facade over recordStores[0]: setState → saveState (POST when overwriteJSON is false), deleteState → dropState, … */
    setState(
      key: string,
      val: unknown,
      cfg: TinCan.StateCfg & { lastSHA1?: string; contentType?: string; overwriteJSON?: boolean; callback: TinCan.Callback<TinCan.XHR> },
    ): void;
    getState(key: string, cfg: TinCan.StateCfg & { callback: TinCan.Callback<TinCan.State | null> }): void;
    deleteState(key: string | null, cfg: TinCan.StateCfg & { callback: TinCan.Callback<TinCan.XHR> }): void;
    deleteActivityProfile(key: string, cfg: { activity: TinCan.Activity; callback: TinCan.Callback<TinCan.XHR> }): void;
    deleteAgentProfile(key: string, cfg: { agent: TinCan.Agent; callback: TinCan.Callback<TinCan.XHR> }): void;
  }

  export = TinCan;
}
