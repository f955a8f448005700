/**
 * The Node.js sample of the seed page (CreateVideoConference), verbatim. serve.test.ts changes only
 * its endpoint/protocol and token before running it.
 */
export const SEED_NODE_SAMPLE = `// This file is auto-generated, don't edit it
import Util, * as $Util from '@alicloud/tea-util';
import dingtalkconference_1_0, * as $dingtalkconference_1_0 from '@alicloud/dingtalk/conference_1_0';
import OpenApi, * as $OpenApi from '@alicloud/openapi-client';
import * as $tea from '@alicloud/tea-typescript';

export default class Client {

  /**
   * Initialize the account Client with a Token
   * @return Client
   * @throws Exception
   */
  static createClient(): dingtalkconference_1_0 {
    let config = new $OpenApi.Config({ });
    config.protocol = "https";
    config.regionId = "central";
    return new dingtalkconference_1_0(config);
  }

  static async main(args: string[]): Promise<void> {
    let client = Client.createClient();
    let createVideoConferenceHeaders = new $dingtalkconference_1_0.CreateVideoConferenceHeaders({ });
    createVideoConferenceHeaders.xAcsDingtalkAccessToken = "<your access token>";
    let createVideoConferenceRequest = new $dingtalkconference_1_0.CreateVideoConferenceRequest({
      userId: "27SaQ3iiHLN0uwqcPisedfreNwiEiE",
      confTitle: "XXX's video meeting",
      inviteUserIds: [
        "iSKzJxxxxx"
      ],
      inviteCaller: false,
    });
    try {
      await client.createVideoConferenceWithOptions(createVideoConferenceRequest, createVideoConferenceHeaders, new $Util.RuntimeOptions({ }));
    } catch (err) {
      if (!Util.empty(err.code) && !Util.empty(err.message)) {
        // err contains code and message attributes to help locate the issue
      }

    }    
  }

}

Client.main(process.argv.slice(2));
`;
